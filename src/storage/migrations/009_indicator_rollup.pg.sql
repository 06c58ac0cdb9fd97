-- PostgreSQL variant of 009: the same tables; the dirty-day triggers are trigger functions.
-- Daily indicator rollup (see docs/INDICATORS.md "Speed"). Whole-day reports read these tables instead of
-- scanning interactions/surveys/answers. Exactness: triggers only mark the touched day dirty (cheap on the chat
-- write path); the report recomputes dirty days from the base tables with the same SQL before reading.
-- Key columns use '' for NULL (locale, no survey => definition_id '', no sentiment => sentiment '').
CREATE TABLE indicator_dirty_days (day TEXT PRIMARY KEY NOT NULL);
CREATE TABLE indicator_rollup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE indicator_rollup_ops (
  day TEXT NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, handled_by TEXT NOT NULL, definition_id TEXT NOT NULL,
  interactions BIGINT NOT NULL, complaints BIGINT NOT NULL,
  first_reply_n BIGINT, first_reply_met BIGINT, first_reply_score DOUBLE PRECISION,
  queue_wait_n BIGINT, queue_wait_met BIGINT, queue_wait_score DOUBLE PRECISION,
  complaint_first_response_n BIGINT, complaint_first_response_met BIGINT, complaint_first_response_score DOUBLE PRECISION,
  complaint_closed_n BIGINT, complaint_closed_met BIGINT, complaint_closed_score DOUBLE PRECISION,
  transaction_n BIGINT, transaction_met BIGINT, transaction_score DOUBLE PRECISION,
  fcr_n BIGINT, fcr_yes BIGINT, rep_n BIGINT, rep_yes BIGINT, offered BIGINT, responded BIGINT,
  feedback BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, locale, handled_by, definition_id)
);

CREATE TABLE indicator_rollup_answers (
  day TEXT NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, handled_by TEXT NOT NULL, definition_id TEXT NOT NULL,
  item_id TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, c BIGINT NOT NULL,
  PRIMARY KEY (day, channel, locale, handled_by, definition_id, item_id, value)
);

CREATE TABLE indicator_rollup_topics (
  day TEXT NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, handled_by TEXT NOT NULL, definition_id TEXT NOT NULL,
  topic TEXT NOT NULL, sentiment TEXT NOT NULL, c BIGINT NOT NULL,
  PRIMARY KEY (day, channel, locale, handled_by, definition_id, topic, sentiment)
);

-- Existing data: every day starts dirty, so the first report builds the rollup.
INSERT INTO indicator_dirty_days (day) SELECT DISTINCT substr(started_at, 1, 10) FROM interactions ON CONFLICT DO NOTHING;

-- Dirty-day marking as in the SQLite triggers of 009/010/011: the day of the touched interaction.
CREATE FUNCTION indicator_mark_day(d text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO indicator_dirty_days (day) SELECT d WHERE d IS NOT NULL ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION indicator_mark_interaction(iid text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO indicator_dirty_days (day) SELECT substr(started_at, 1, 10) FROM interactions WHERE id = iid ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION indicator_mark_survey(sid text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO indicator_dirty_days (day) SELECT substr(i.started_at, 1, 10) FROM surveys s JOIN interactions i ON i.id = s.interaction_id
   WHERE s.id = sid ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION indicator_mark_feedback(fid bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO indicator_dirty_days (day) SELECT substr(i.started_at, 1, 10) FROM feedback f JOIN interactions i ON i.id = f.interaction_id
   WHERE f.id = fid ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION indicator_dirty_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM indicator_mark_day(substr(OLD.started_at, 1, 10)); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM indicator_mark_day(substr(NEW.started_at, 1, 10)); END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION indicator_dirty_surveys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM indicator_mark_interaction(OLD.interaction_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM indicator_mark_interaction(NEW.interaction_id); END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION indicator_dirty_answers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM indicator_mark_survey(OLD.survey_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM indicator_mark_survey(NEW.survey_id); END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION indicator_dirty_feedback() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM indicator_mark_interaction(OLD.interaction_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM indicator_mark_interaction(NEW.interaction_id); END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION indicator_dirty_topics() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM indicator_mark_feedback(OLD.feedback_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM indicator_mark_feedback(NEW.feedback_id); END IF;
  RETURN NULL;
END $$;

-- A deleted parent row is gone by the time a cascaded child's AFTER trigger runs, but the parent's own
-- trigger has marked the day already.
CREATE TRIGGER indicator_dirty_i_insdel AFTER INSERT OR DELETE ON interactions FOR EACH ROW EXECUTE FUNCTION indicator_dirty_interactions();
CREATE TRIGGER indicator_dirty_i_upd AFTER UPDATE ON interactions FOR EACH ROW
  WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.locale IS DISTINCT FROM NEW.locale
    OR OLD.handled_by IS DISTINCT FROM NEW.handled_by OR OLD.is_test IS DISTINCT FROM NEW.is_test OR OLD.complaint IS DISTINCT FROM NEW.complaint
    OR OLD.resolved IS DISTINCT FROM NEW.resolved OR OLD.repeat_contact_7d IS DISTINCT FROM NEW.repeat_contact_7d
    OR OLD.first_reply_seconds IS DISTINCT FROM NEW.first_reply_seconds OR OLD.queue_wait_seconds IS DISTINCT FROM NEW.queue_wait_seconds
    OR OLD.complaint_first_response_hours IS DISTINCT FROM NEW.complaint_first_response_hours
    OR OLD.complaint_closed_hours IS DISTINCT FROM NEW.complaint_closed_hours OR OLD.transaction_days IS DISTINCT FROM NEW.transaction_days)
  EXECUTE FUNCTION indicator_dirty_interactions();
CREATE TRIGGER indicator_dirty_s_insdel AFTER INSERT OR DELETE ON surveys FOR EACH ROW EXECUTE FUNCTION indicator_dirty_surveys();
CREATE TRIGGER indicator_dirty_s_upd AFTER UPDATE ON surveys FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.definition_id IS DISTINCT FROM NEW.definition_id OR OLD.interaction_id IS DISTINCT FROM NEW.interaction_id)
  EXECUTE FUNCTION indicator_dirty_surveys();
CREATE TRIGGER indicator_dirty_a_insdel AFTER INSERT OR DELETE ON survey_answers FOR EACH ROW EXECUTE FUNCTION indicator_dirty_answers();
CREATE TRIGGER indicator_dirty_a_upd AFTER UPDATE ON survey_answers FOR EACH ROW
  WHEN (OLD.survey_id IS DISTINCT FROM NEW.survey_id OR OLD.item_id IS DISTINCT FROM NEW.item_id OR OLD.value IS DISTINCT FROM NEW.value OR OLD.skipped IS DISTINCT FROM NEW.skipped)
  EXECUTE FUNCTION indicator_dirty_answers();
CREATE TRIGGER indicator_dirty_f_insdel AFTER INSERT OR DELETE ON feedback FOR EACH ROW EXECUTE FUNCTION indicator_dirty_feedback();
CREATE TRIGGER indicator_dirty_f_upd AFTER UPDATE ON feedback FOR EACH ROW
  WHEN (OLD.interaction_id IS DISTINCT FROM NEW.interaction_id OR OLD.sentiment IS DISTINCT FROM NEW.sentiment OR OLD.human_sentiment IS DISTINCT FROM NEW.human_sentiment)
  EXECUTE FUNCTION indicator_dirty_feedback();
CREATE TRIGGER indicator_dirty_t_insdel AFTER INSERT OR DELETE OR UPDATE ON feedback_topics FOR EACH ROW EXECUTE FUNCTION indicator_dirty_topics();
