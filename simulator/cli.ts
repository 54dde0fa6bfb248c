/**
 * Runs the WeChat API simulator on 127.0.0.1.
 *   node dist/simulator/cli.js [--port 8900]
 * Env: WECHAT_SIMULATOR_PORT, WECHAT_APP_ID + WECHAT_APP_SECRET (an extra simulated mini program).
 */
import { DEMO_APP, SimulatedApp, WeChatSimulator } from './wechat-simulator';

export async function startSimulatorFromEnv(argv: string[] = process.argv.slice(2)): Promise<WeChatSimulator> {
  const portFlag = argv.indexOf('--port');
  const port = Number(portFlag >= 0 ? argv[portFlag + 1] : (process.env.WECHAT_SIMULATOR_PORT ?? 8900));
  const apps: SimulatedApp[] = [DEMO_APP];
  if (process.env.WECHAT_APP_ID && process.env.WECHAT_APP_SECRET) {
    apps.push({ appId: process.env.WECHAT_APP_ID, appSecret: process.env.WECHAT_APP_SECRET });
  }
  const simulator = new WeChatSimulator({ apps, port });
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
