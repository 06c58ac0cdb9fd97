/** The sample accounts shipped in config/accounts.yaml: fine on a laptop, never in production. */
import { verifySecret, type Account } from './auth';

/** Demo-only passwords of the shipped accounts (README quick start). */
export const DEMO_PASSWORDS: Record<string, string> = { agent: 'agent-demo', analyst: 'analyst-demo' };

/** Accounts that still accept their demo password. */
export function demoAccounts(accounts: Account[]): { id: string; role: string; password: string }[] {
  return accounts
    .filter((a) => a.passwordHash && DEMO_PASSWORDS[a.role] && verifySecret(DEMO_PASSWORDS[a.role], a.passwordHash))
    .map((a) => ({ id: a.id, role: a.role, password: DEMO_PASSWORDS[a.role] }));
}

/** Development: NODE_ENV unset or "development", and not connected to Azure Bot Service. */
export function isDevelopment(env: Record<string, string | undefined>, microsoftAppId: string): boolean {
  return (!env.NODE_ENV || env.NODE_ENV === 'development') && !microsoftAppId;
}
