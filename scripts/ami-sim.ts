// npm run sim [-- --port 5038 --calls-per-minute 6 --speed 1 --secret crmsecret]
// The AMI simulator on its own TCP port, placing simulated calls, for trying the server (or another
// AMI client) against it: AMI_URL=ami://crm:crmsecret@127.0.0.1:5038 npm start
import { parseArgs } from "node:util";
import { AmiSimulator } from "../server/pbx/sim/ami-simulator.js";
import { DemoTraffic } from "../server/pbx/sim/demo-traffic.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "5038" },
    host: { type: "string", default: "127.0.0.1" },
    "calls-per-minute": { type: "string", default: "6" },
    speed: { type: "string", default: "1" },
    username: { type: "string", default: "crm" },
    secret: { type: "string", default: "crmsecret" },
    replay: { type: "string" },
  },
});
const sim = new AmiSimulator({ username: values.username, secret: values.secret, pbx: { speed: Number(values.speed) } });
const port = await sim.listen(Number(values.port), values.host);
console.log(`AMI simulator on ${values.host}:${port} (user ${values.username}); Ctrl-C stops it`);
if (values.replay) {
  console.log(`replaying ${values.replay} to each client that logs in`);
  const replayed = new WeakSet<object>();
  setInterval(() => {
    for (const s of sim.sessions)
      if (s.authenticated && !replayed.has(s)) {
        replayed.add(s);
        void sim.replay(values.replay!);
      }
  }, 200).unref();
}
const traffic = new DemoTraffic(sim.pbx, Number(values["calls-per-minute"]), () => ["+14155550123"]);
traffic.start();
const stop = () => {
  traffic.stop();
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => {}, 1 << 30);
