-- The dirty-day triggers of 009 used INSERT OR IGNORE. When the outer statement is an UPSERT
-- (survey answers are upserted), SQLite applies the outer statement's conflict policy to the
-- trigger's INSERT, so a second write on the same day failed with a UNIQUE error. The triggers
-- are recreated with EXCEPT, which never conflicts.

DROP TRIGGER indicator_dirty_i_ins;
CREATE TRIGGER indicator_dirty_i_ins AFTER INSERT ON interactions BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(NEW.started_at, 1, 10) EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_i_del;
CREATE TRIGGER indicator_dirty_i_del AFTER DELETE ON interactions BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(OLD.started_at, 1, 10) EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_i_upd;
CREATE TRIGGER indicator_dirty_i_upd AFTER UPDATE OF started_at, channel, locale, handled_by, is_test, complaint, resolved,
  repeat_contact_7d, first_reply_seconds, queue_wait_seconds, complaint_first_response_hours, complaint_closed_hours, transaction_days
  ON interactions
  WHEN OLD.started_at IS NOT NEW.started_at OR OLD.channel IS NOT NEW.channel OR OLD.locale IS NOT NEW.locale
    OR OLD.handled_by IS NOT NEW.handled_by OR OLD.is_test IS NOT NEW.is_test OR OLD.complaint IS NOT NEW.complaint
    OR OLD.resolved IS NOT NEW.resolved OR OLD.repeat_contact_7d IS NOT NEW.repeat_contact_7d
    OR OLD.first_reply_seconds IS NOT NEW.first_reply_seconds OR OLD.queue_wait_seconds IS NOT NEW.queue_wait_seconds
    OR OLD.complaint_first_response_hours IS NOT NEW.complaint_first_response_hours
    OR OLD.complaint_closed_hours IS NOT NEW.complaint_closed_hours OR OLD.transaction_days IS NOT NEW.transaction_days
BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(OLD.started_at, 1, 10) EXCEPT SELECT day FROM indicator_dirty_days;
  INSERT INTO indicator_dirty_days (day) SELECT substr(NEW.started_at, 1, 10) EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_s_ins;
CREATE TRIGGER indicator_dirty_s_ins AFTER INSERT ON surveys BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = NEW.interaction_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_s_del;
CREATE TRIGGER indicator_dirty_s_del AFTER DELETE ON surveys BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = OLD.interaction_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_s_upd;
CREATE TRIGGER indicator_dirty_s_upd AFTER UPDATE OF status, definition_id, interaction_id ON surveys
  WHEN OLD.status IS NOT NEW.status OR OLD.definition_id IS NOT NEW.definition_id OR OLD.interaction_id IS NOT NEW.interaction_id
BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id IN (OLD.interaction_id, NEW.interaction_id)
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_a_ins;
CREATE TRIGGER indicator_dirty_a_ins AFTER INSERT ON survey_answers BEGIN
  INSERT INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE s.id = NEW.survey_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_a_del;
CREATE TRIGGER indicator_dirty_a_del AFTER DELETE ON survey_answers BEGIN
  INSERT INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE s.id = OLD.survey_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_a_upd;
CREATE TRIGGER indicator_dirty_a_upd AFTER UPDATE OF survey_id, item_id, value, skipped ON survey_answers
  WHEN OLD.survey_id IS NOT NEW.survey_id OR OLD.item_id IS NOT NEW.item_id OR OLD.value IS NOT NEW.value OR OLD.skipped IS NOT NEW.skipped
BEGIN
  INSERT INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM surveys s JOIN interactions i ON i.id = s.interaction_id WHERE s.id IN (OLD.survey_id, NEW.survey_id)
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_f_ins;
CREATE TRIGGER indicator_dirty_f_ins AFTER INSERT ON feedback BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = NEW.interaction_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_f_del;
CREATE TRIGGER indicator_dirty_f_del AFTER DELETE ON feedback BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = OLD.interaction_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_f_upd;
CREATE TRIGGER indicator_dirty_f_upd AFTER UPDATE OF interaction_id, sentiment, human_sentiment ON feedback
  WHEN OLD.interaction_id IS NOT NEW.interaction_id OR OLD.sentiment IS NOT NEW.sentiment OR OLD.human_sentiment IS NOT NEW.human_sentiment
BEGIN
  INSERT INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id IN (OLD.interaction_id, NEW.interaction_id)
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_t_ins;
CREATE TRIGGER indicator_dirty_t_ins AFTER INSERT ON feedback_topics BEGIN
  INSERT INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE f.id = NEW.feedback_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_t_del;
CREATE TRIGGER indicator_dirty_t_del AFTER DELETE ON feedback_topics BEGIN
  INSERT INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE f.id = OLD.feedback_id
    EXCEPT SELECT day FROM indicator_dirty_days;
END;

DROP TRIGGER indicator_dirty_t_upd;
CREATE TRIGGER indicator_dirty_t_upd AFTER UPDATE ON feedback_topics BEGIN
  INSERT INTO indicator_dirty_days (day)
    SELECT substr(i.started_at, 1, 10) FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE f.id IN (OLD.feedback_id, NEW.feedback_id)
    EXCEPT SELECT day FROM indicator_dirty_days;
END;
