// Prediction CLI: `npm run --silent predict -- quality --input FILE.jsonl [--model PATH]`.
// One JSON line per input item on stdout; errors on stderr with exit code 1.
import '../preload'; // first: keeps dotenv quiet so stdout holds only the output
import { parseArgs } from './eval';
import { runQualityPredict } from '../nlp/quality/cli';

const { cmd, args } = parseArgs(process.argv.slice(2));
try {
  if (cmd !== 'quality') throw new Error(`usage: predict quality --input FILE.jsonl (got "${cmd}")`);
  runQualityPredict(args);
} catch (err) {
  process.stderr.write(`predict: ${(err as Error).message}\n`);
  process.exit(1);
}
