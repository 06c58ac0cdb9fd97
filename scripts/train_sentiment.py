#!/usr/bin/env python3
"""Train the embedded tiny BERT sentiment model (3 classes) from scratch and export it
in the transformers.js layout (models/sentiment-tiny/). Needs Debian python3-torch + python3-onnx.

Rebuild: /usr/bin/python3 scripts/train_sentiment.py --data ../shared/data --vocab ../shared/vocab/bert-base-chinese --out models/sentiment-tiny --minutes 13
"""
import argparse, csv, json, math, os, random, shutil, sys, time, unicodedata

import torch
import torch.nn as nn
import torch.nn.functional as F

LABELS = ['negative', 'neutral', 'positive']
csv.field_size_limit(10**8)


# ---- WordPiece tokenizer matching tokenizer.json (BertNormalizer lowercase + BertPreTokenizer) ----
def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith('P')


class WordPiece:
    def __init__(self, vocab_file):
        self.vocab = {}
        with open(vocab_file, encoding='utf-8') as f:
            for i, line in enumerate(f):
                self.vocab[line.rstrip('\n')] = i
        self.unk = self.vocab['[UNK]']

    def normalize(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch) in ('Cc', 'Cf') and ch not in '\t\n\r'):
                continue
            if ch in '\t\n\r' or unicodedata.category(ch) == 'Zs':
                out.append(' ')
            elif is_cjk(cp):
                out.append(' ' + ch + ' ')
            else:
                out.append(ch)
        s = ''.join(out).lower()
        s = unicodedata.normalize('NFD', s)
        return ''.join(c for c in s if unicodedata.category(c) != 'Mn')

    def words(self, text):
        for w in self.normalize(text).split():
            cur = ''
            for ch in w:
                if is_punct(ch):
                    if cur:
                        yield cur
                        cur = ''
                    yield ch
                else:
                    cur += ch
            if cur:
                yield cur

    def encode(self, text, max_len):
        ids = [101]
        for w in self.words(text):
            if len(w) > 100:
                ids.append(self.unk)
                continue
            start, pieces = 0, []
            while start < len(w):
                end, found = len(w), None
                while start < end:
                    sub = w[start:end] if start == 0 else '##' + w[start:end]
                    if sub in self.vocab:
                        found = self.vocab[sub]
                        break
                    end -= 1
                if found is None:
                    pieces = [self.unk]
                    break
                pieces.append(found)
                start = end
            ids.extend(pieces)
            if len(ids) >= max_len - 1:
                break
        return ids[:max_len - 1] + [102]


# ---- model: BERT encoder written out so the ONNX graph uses plain ops ----
class Layer(nn.Module):
    def __init__(self, h, heads, inter, drop):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(h, 3 * h)
        self.out = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.ff1 = nn.Linear(h, inter)
        self.ff2 = nn.Linear(inter, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(drop)

    def forward(self, x, bias):
        b, t, h = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, h // self.heads).permute(2, 0, 3, 1, 4)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(h // self.heads) + bias
        ctx = (att.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.drop(self.out(ctx)))
        return self.ln2(x + self.drop(self.ff2(F.gelu(self.ff1(x)))))


class TinyBert(nn.Module):
    def __init__(self, vocab, h=128, layers=2, heads=2, inter=512, max_pos=128, n_labels=3, drop=0.1):
        super().__init__()
        self.word = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(max_pos, h)
        self.typ = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList([Layer(h, heads, inter, drop) for _ in range(layers)])
        self.pool = nn.Linear(h, h)
        self.cls = nn.Linear(h, n_labels)
        self.drop = nn.Dropout(drop)

    def forward(self, input_ids, attention_mask, token_type_ids):
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.drop(self.ln(self.word(input_ids) + self.pos(pos) + self.typ(token_type_ids)))
        bias = (1.0 - attention_mask.unsqueeze(1).unsqueeze(2).to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        # mean over real tokens: steadier than [CLS] for a model trained from scratch
        m = attention_mask.unsqueeze(-1).to(x.dtype)
        pooled = torch.tanh(self.pool((x * m).sum(1) / m.sum(1).clamp(min=1.0)))
        return self.cls(self.drop(pooled))


# ---- data ----
def read_rows(path):
    with open(path, encoding='utf-8', newline='') as f:
        yield from csv.DictReader(f)


def norm_key(s):
    return ' '.join(s.lower().split())


def load_train(data):
    rows = []
    bin_map = {'0': 0, '1': 2}
    held = set()
    for name in ('waimai_10k', 'chnsenticorp_htl'):
        for split in ('train', 'dev'):
            for r in read_rows(os.path.join(data, name, split + '.csv')):
                held.add(norm_key(r['review']))
                if split == 'train':
                    rows.append((r['review'], bin_map[r['label']], name))
    # online_shopping: drop the hotel category and anything also in chnsenticorp/waimai (dedupe)
    for r in read_rows(os.path.join(data, 'online_shopping_10_cats', 'train.csv')):
        if r['cat'] == '酒店' or norm_key(r['review']) in held:
            continue
        rows.append((r['review'], bin_map[r['label']], 'online_shopping_10_cats'))
    for r in read_rows(os.path.join(data, 'twitter_us_airline', 'train.csv')):
        rows.append((r['text'], LABELS.index(r['airline_sentiment']), 'twitter_us_airline'))
    return rows


def dev_sets(data):
    return {
        'waimai_10k': [(r['review'], 0 if r['label'] == '0' else 2) for r in read_rows(os.path.join(data, 'waimai_10k', 'dev.csv'))],
        'chnsenticorp_htl': [(r['review'], 0 if r['label'] == '0' else 2) for r in read_rows(os.path.join(data, 'chnsenticorp_htl', 'dev.csv'))],
        'twitter_us_airline': [(r['text'], LABELS.index(r['airline_sentiment'])) for r in read_rows(os.path.join(data, 'twitter_us_airline', 'dev.csv'))],
    }


def batchify(encoded, bs, shuffle):
    idx = list(range(len(encoded)))
    if shuffle:
        random.shuffle(idx)
    # bucket by length within chunks of 50 batches so padding stays small
    chunk = bs * 50
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: len(encoded[i][0]))
        batches = [part[i:i + bs] for i in range(0, len(part), bs)]
        if shuffle:
            random.shuffle(batches)
        for b in batches:
            yield b


def tensors(items):
    t = max(len(ids) for ids, _ in items)
    ids = torch.zeros(len(items), t, dtype=torch.long)
    mask = torch.zeros(len(items), t, dtype=torch.long)
    for i, (x, _) in enumerate(items):
        ids[i, :len(x)] = torch.tensor(x)
        mask[i, :len(x)] = 1
    return ids, mask, torch.zeros_like(ids), torch.tensor([y for _, y in items])


def predict(model, encoded, bs=128):
    model.eval()
    preds = [0] * len(encoded)
    with torch.no_grad():
        for b in batchify(encoded, bs, False):
            ids, mask, tt, _ = tensors([encoded[i] for i in b])
            logits = model(ids, mask, tt)
            for i, p in zip(b, logits.argmax(-1).tolist()):
                preds[i] = p
    return preds


def metrics(gold, pred, binary):
    if binary:  # neutral predictions on a 2-class set fall back to the larger of neg/pos... count as wrong
        pass
    acc = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    classes = sorted(set(gold))
    f1s = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        fp = sum(g != c and p == c for g, p in zip(gold, pred))
        fn = sum(g == c and p != c for g, p in zip(gold, pred))
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return {'n': len(gold), 'accuracy': round(acc, 4), 'macro_f1': round(sum(f1s) / len(f1s), 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='../shared/data')
    ap.add_argument('--vocab', default='../shared/vocab/bert-base-chinese')
    ap.add_argument('--out', default='models/sentiment-tiny')
    ap.add_argument('--minutes', type=float, default=13.0)
    ap.add_argument('--max-len', type=int, default=128)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=13)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    random.seed(a.seed)
    torch.manual_seed(a.seed)
    tok = WordPiece(os.path.join(a.vocab, 'vocab.txt'))
    rows = load_train(a.data)
    counts = {}
    for _, y, src in rows:
        counts[src] = counts.get(src, 0) + 1
    print('train rows', len(rows), counts, flush=True)
    enc = [(tok.encode(t, a.max_len), y) for t, y, _ in rows]
    model = TinyBert(len(tok.vocab), max_pos=a.max_len)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    budget = a.minutes * 60
    start = time.time()
    steps_per_epoch = math.ceil(len(enc) / a.batch)
    step, epoch = 0, 0
    done = False
    while not done:
        epoch += 1
        model.train()
        tot, n = 0.0, 0
        for b in batchify(enc, a.batch, True):
            frac = (time.time() - start) / budget
            if frac >= 1.0:
                done = True
                break
            # warm-up then linear decay on wall-clock fraction, so the schedule fits the time cap
            lr = a.lr * min(1.0, step / 300) * max(0.02, 1.0 - frac)
            for g in opt.param_groups:
                g['lr'] = lr
            ids, mask, tt, y = tensors([enc[i] for i in b])
            loss = F.cross_entropy(model(ids, mask, tt), y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tot += loss.item() * len(b)
            n += len(b)
            step += 1
            if step % 200 == 0:
                print(f'epoch {epoch} step {step}/{steps_per_epoch * epoch} loss {tot / n:.4f} lr {lr:.2e} t {time.time() - start:.0f}s', flush=True)
    train_s = time.time() - start
    print(f'trained {step} steps, {epoch} epochs (last partial) in {train_s:.0f}s', flush=True)

    results = {}
    for name, items in dev_sets(a.data).items():
        e = [(tok.encode(t, a.max_len), y) for t, y in items]
        pred = predict(model, e)
        gold = [y for _, y in items]
        binary = name != 'twitter_us_airline'
        if binary:  # 2-class sets: a neutral prediction counts as wrong
            pass
        results[name] = metrics(gold, pred, binary)
        print(name, results[name], flush=True)
    export(model, a, tok, results, len(rows), counts, step, train_s)


def export(model, a, tok, results, n_rows, counts, steps, train_s):
    out = a.out
    os.makedirs(os.path.join(out, 'onnx'), exist_ok=True)
    model.eval()
    ids = torch.tensor([[101, 2769, 102]])
    mask = torch.ones_like(ids)
    tt = torch.zeros_like(ids)

    class Wrap(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.m(input_ids, attention_mask, token_type_ids)

    path = os.path.join(out, 'onnx', 'model.onnx')
    torch.onnx.export(Wrap(model), (ids, mask, tt), path, opset_version=14,
                      input_names=['input_ids', 'attention_mask', 'token_type_ids'], output_names=['logits'],
                      dynamic_axes={'input_ids': {0: 'batch', 1: 'seq'}, 'attention_mask': {0: 'batch', 1: 'seq'},
                                    'token_type_ids': {0: 'batch', 1: 'seq'}, 'logits': {0: 'batch'}})
    config = {
        'architectures': ['BertForSequenceClassification'], 'model_type': 'bert',
        'vocab_size': len(tok.vocab), 'hidden_size': 128, 'num_hidden_layers': 2, 'num_attention_heads': 2,
        'intermediate_size': 512, 'max_position_embeddings': a.max_len, 'type_vocab_size': 2,
        'id2label': {str(i): l for i, l in enumerate(LABELS)}, 'label2id': {l: i for i, l in enumerate(LABELS)},
        'problem_type': 'single_label_classification',
    }
    json.dump(config, open(os.path.join(out, 'config.json'), 'w'), indent=2)
    shutil.copy(os.path.join(a.vocab, 'tokenizer.json'), os.path.join(out, 'tokenizer.json'))
    tc = json.load(open(os.path.join(a.vocab, 'tokenizer_config.json')))
    tc['model_max_length'] = a.max_len
    json.dump(tc, open(os.path.join(out, 'tokenizer_config.json'), 'w'), indent=2)
    shutil.copy(os.path.join(a.vocab, 'special_tokens_map.json'), os.path.join(out, 'special_tokens_map.json'))
    shutil.copy(os.path.join(a.vocab, 'vocab.txt'), os.path.join(out, 'vocab.txt'))
    train_info = {'rows': n_rows, 'by_source': counts, 'steps': steps, 'train_seconds': round(train_s),
                  'max_len': a.max_len, 'batch': a.batch, 'lr': a.lr, 'seed': a.seed, 'dev': results,
                  'torch': torch.__version__, 'trained_at': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}
    json.dump(train_info, open(os.path.join(out, 'training.json'), 'w'), indent=2)
    print('exported', path, os.path.getsize(path), 'bytes', flush=True)


if __name__ == '__main__':
    main()
