/**
 * Runs the WeChat API simulator on 127.0.0.1.
 *   node dist/simulator/cli.js [--port 8900] [--session-key-retention-ms 0] [--web-logins]
 * Env: WECHAT_SIMULATOR_PORT, WECHAT_SIMULATOR_SESSION_KEY_RETENTION_MS, WECHAT_APP_ID + WECHAT_APP_SECRET (an extra
 * simulated mini program), WECHAT_SIMULATOR_WEB_LOGINS=true (as --web-logins: the demo Official Account and website
 * app, and the demo mini program bound to their Open Platform account, so one person has one unionid in all three).
 */
import { DEMO_APP, DEMO_OPEN_PLATFORM, DEMO_WEB_APPS, SimulatedApp, WeChatSimulator } from './wechat-simulator';

/** A numeric option: `--flag <n>` on the command line, else the environment variable, else the default. */
function numberOption(argv: string[], flag: string, envName: string, fallback: number): number {
  const at = argv.indexOf(flag);
  const raw = at >= 0 ? argv[at + 1] : process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} / ${envName}: a whole number ≥ 0, not ${JSON.stringify(raw)}`);
  return value;
}

export async function startSimulatorFromEnv(argv: string[] = process.argv.slice(2)): Promise<WeChatSimulator> {
  const port = numberOption(argv, '--port', 'WECHAT_SIMULATOR_PORT', 8900);
  const sessionKeyRetentionMs = numberOption(argv, '--session-key-retention-ms', 'WECHAT_SIMULATOR_SESSION_KEY_RETENTION_MS', 0);
  const webLogins = argv.includes('--web-logins') || process.env.WECHAT_SIMULATOR_WEB_LOGINS === 'true';
  const apps: SimulatedApp[] = webLogins
    ? [{ ...DEMO_APP, openPlatformId: DEMO_OPEN_PLATFORM }, DEMO_WEB_APPS.officialAccount, DEMO_WEB_APPS.website]
    : [DEMO_APP];
  if (process.env.WECHAT_APP_ID && process.env.WECHAT_APP_SECRET) {
    apps.push({ appId: process.env.WECHAT_APP_ID, appSecret: process.env.WECHAT_APP_SECRET });
  }
  const simulator = new WeChatSimulator({ apps, port, sessionKeyRetentionMs });
  await simulator.start();
  return simulator;
}

if (require.main === module) {
  // A failure (the port is taken...) ends the process as an unhandled rejection would: its stack on stderr, exit code 1.
  const fail = (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  };
  startSimulatorFromEnv().then((simulator) => {
    process.stdout.write(`WeChat API simulator listening on ${simulator.baseUrl} (demo AppID ${DEMO_APP.appId})\n`);
    const stop = () => {
      simulator.stop().then(() => process.exit(0), fail);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }, fail);
}
