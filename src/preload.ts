// Imported first by entry points: `natural` pulls in dotenv 17, which prints to stdout on import
// unless told to be quiet, and stdout must stay clean for the CLIs' JSON last line.
process.env.DOTENV_CONFIG_QUIET ??= 'true';
import dotenv from 'dotenv';
dotenv.config();
