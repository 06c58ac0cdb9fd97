/** Accuracy and macro-F1 over the classes present in the gold labels. */
export function classificationMetrics(gold: string[], pred: string[]): { accuracy: number; macro_f1: number } {
  const n = gold.length;
  let correct = 0;
  for (let i = 0; i < n; i++) if (gold[i] === pred[i]) correct++;
  const classes = [...new Set(gold)];
  const f1s = classes.map((c) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      if (pred[i] === c && gold[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (gold[i] === c) fn++;
    }
    return tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
  });
  return { accuracy: n ? correct / n : 0, macro_f1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0 };
}

/** Multi-label micro/macro F1 with per-topic precision/recall/F1. */
export function multiLabelMetrics(gold: string[][], pred: string[][], topics: string[]) {
  const per: Record<string, { tp: number; fp: number; fn: number }> = {};
  for (const t of topics) per[t] = { tp: 0, fp: 0, fn: 0 };
  gold.forEach((g, i) => {
    const gs = new Set(g);
    const ps = new Set(pred[i]);
    for (const t of new Set([...gs, ...ps])) {
      per[t] ??= { tp: 0, fp: 0, fn: 0 };
      if (gs.has(t) && ps.has(t)) per[t].tp++;
      else if (ps.has(t)) per[t].fp++;
      else per[t].fn++;
    }
  });
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perTopic: Record<string, { precision: number; recall: number; f1: number; support: number }> = {};
  const f1s: number[] = [];
  for (const [t, c] of Object.entries(per)) {
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
    const f1 = c.tp ? (2 * c.tp) / (2 * c.tp + c.fp + c.fn) : 0;
    const support = c.tp + c.fn;
    perTopic[t] = {
      precision: r4(c.tp + c.fp ? c.tp / (c.tp + c.fp) : 0),
      recall: r4(support ? c.tp / support : 0),
      f1: r4(f1),
      support,
    };
    if (support > 0) f1s.push(f1);
  }
  const micro = tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
  return { micro_f1: r4(micro), macro_f1: r4(f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0), per_topic: perTopic };
}

export const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
