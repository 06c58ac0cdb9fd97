/** The five points of the STC-3 quality scale. */
export const SCALE = ['-2', '-1', '0', '1', '2'] as const;
export type Dist = Record<(typeof SCALE)[number], number>;
export type Head = 'S' | 'A';
export const HEADS: Head[] = ['S', 'A'];

export type Sender = 'customer' | 'helpdesk';
export interface Turn {
  sender: Sender;
  utterances: string[];
}
/** One dialogue in the helpdesk_dch1 format; quality (annotators' vote counts) only in labelled data. */
export interface Dialogue {
  id: string;
  turns: Turn[];
  quality?: Partial<Record<Head | 'E', Partial<Record<string, number>>>>;
}

export interface QualityPrediction {
  id: string;
  S: Dist;
  A: Dist;
}

/** A prediction with its reasons: turn indexes with their push on expected S (negative = pulled it down). */
export interface ExplainedPrediction extends QualityPrediction {
  meanS: number;
  meanA: number;
  reasons: { turn: number; weight: number }[];
}
