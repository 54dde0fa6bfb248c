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
  startSimulatorFromEnv().then((simulator) => {
    process.stdout.write(`WeChat API simulator listening on ${simulator.baseUrl} (demo AppID ${DEMO_APP.appId})\n`);
    const stop = () => simulator.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
