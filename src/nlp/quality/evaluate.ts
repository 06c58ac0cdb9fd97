import { labelDist } from './data';
import { averageDist, meanScore, nmd, spearman } from './metrics';
import { HEADS, type Dialogue, type Head } from './types';

export interface HeadFigures {
  nmd: number;
  spearman: number;
  n: number;
}
export type Figures = Record<Head, HeadFigures>;

/** NMD (mean over dialogues) and Spearman on mean score, per head, of predictions against labels. */
export function score(data: Dialogue[], predict: (d: Dialogue, i: number) => Record<Head, number[]>): Figures {
  const acc = {} as Figures;
  const preds = data.map(predict);
  for (const h of HEADS) {
    let s = 0;
    const pm: number[] = [];
    const gm: number[] = [];
    data.forEach((d, i) => {
      const g = labelDist(d, h);
      if (!g) return;
      s += nmd(preds[i][h], g);
      pm.push(meanScore(preds[i][h]));
      gm.push(meanScore(g));
    });
    const r = (x: number) => Math.round(x * 1e4) / 1e4;
    acc[h] = { nmd: r(s / Math.max(1, gm.length)), spearman: r(spearman(pm, gm)), n: gm.length };
  }
  return acc;
}

/** The training prior: the average annotators' distribution of the training data, per head. */
export function prior(train: Dialogue[]): Record<Head, number[]> {
  const out = {} as Record<Head, number[]>;
  for (const h of HEADS) out[h] = averageDist(train.map((d) => labelDist(d, h)).filter((x): x is number[] => !!x));
  return out;
}
