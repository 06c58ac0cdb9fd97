import type { Dialogue, Turn } from './types';

export interface TranscriptRow {
  id: number;
  role: string;
  text: string | null;
  meta: string | null;
}

/** A model turn and the transcript rows it was made from, so reasons can point at the rows. */
export interface MappedDialogue {
  dialogue: Dialogue;
  rows: { ids: number[]; role: 'customer' | 'helpdesk' }[];
}

const isSurvey = (meta: string | null) => !!meta && /"survey"\s*:/.test(meta);

/**
 * The bot's transcript as model input: customer rows are the customer's turns; bot and agent rows are the
 * helpdesk's. Consecutive rows of one side form one turn (as in the training data), system rows are left out,
 * and so are the survey answers: the model predicts satisfaction from the service, not from the survey itself.
 */
export function transcriptToDialogue(id: string, rows: TranscriptRow[]): MappedDialogue {
  const turns: Turn[] = [];
  const map: MappedDialogue['rows'] = [];
  for (const r of rows) {
    const sender = r.role === 'customer' ? 'customer' : r.role === 'bot' || r.role === 'agent' ? 'helpdesk' : null;
    if (!sender || isSurvey(r.meta)) continue;
    const text = (r.text ?? '').trim();
    const last = turns[turns.length - 1];
    if (last?.sender === sender) {
      last.utterances.push(text);
      map[map.length - 1].ids.push(r.id);
    } else {
      turns.push({ sender, utterances: [text] });
      map.push({ ids: [r.id], role: sender });
    }
  }
  return { dialogue: { id, turns }, rows: map };
}
