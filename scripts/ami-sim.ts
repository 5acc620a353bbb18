// npm run sim [-- --port 5038 --calls-per-minute 6 --speed 1 --secret crmsecret --known-numbers <file>]
// The AMI simulator on its own TCP port, placing simulated calls, for trying the server (or another
// AMI client) against it: AMI_URL=ami://crm:crmsecret@127.0.0.1:5038 npm start
// Its phones 1001-1003 answer by themselves (the demo agents). Two thirds of the simulated callers
// are known clients: the numbers in --known-numbers (one E.164 number a line, read again whenever
// the file changes; npm run cluster writes the seeded demo clients' there), else the transcripts'
// caller, +14155550123.
import fs from "node:fs";
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
    "known-numbers": { type: "string" },
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
const traffic = new DemoTraffic(sim.pbx, Number(values["calls-per-minute"]), knownNumbers(values["known-numbers"]));
traffic.start();
const stop = () => {
  traffic.stop();
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => {}, 1 << 30);

/** The known callers' numbers, from a file read again when it changes (it may not exist yet). */
function knownNumbers(file: string | undefined): () => string[] {
  const fallback = ["+14155550123"];
  let seen = -1;
  let numbers = fallback;
  return () => {
    if (!file) return fallback;
    const mtime = fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (mtime !== seen) {
      seen = mtime;
      const read = mtime ? fs.readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter((l) => /^\+\d{6,15}$/.test(l)) : [];
      numbers = read.length ? read : fallback;
      if (read.length) console.log(`${read.length} known callers from ${file}`);
    }
    return numbers;
  };
}
