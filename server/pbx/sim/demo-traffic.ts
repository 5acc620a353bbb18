import type { SimPbx } from "./sim-pbx.js";
import { seededRandom } from "../../demo/random.js";

/**
 * Simulated customers calling in, for the demo: Poisson arrivals at `perMinute`, two thirds from
 * known client numbers (so cards pop with history), the rest unknown or withheld; some give up
 * while waiting. Talk times vary around the configured mean.
 */
export class DemoTraffic {
  private timer: NodeJS.Timeout | null = null;
  private readonly rnd = seededRandom(4711);

  constructor(
    private readonly pbx: SimPbx,
    private readonly perMinute: number,
    private readonly knownNumbers: () => string[],
  ) {}

  start(): void {
    if (this.perMinute <= 0) return;
    const next = () => {
      const mean = 60_000 / this.perMinute;
      this.timer = setTimeout(() => {
        this.placeCall();
        next();
      }, -Math.log(1 - this.rnd()) * mean);
      this.timer.unref();
    };
    next();
  }

  placeCall(): string {
    const known = this.knownNumbers();
    const r = this.rnd();
    const from = r < 0.67 && known.length ? known[Math.floor(this.rnd() * known.length)]! : r < 0.95 ? `+1${200 + Math.floor(this.rnd() * 700)}555${String(1000 + Math.floor(this.rnd() * 8999))}` : "<unknown>";
    const dids = Object.keys(this.pbx.config.dids);
    return this.pbx.inboundCall({
      from,
      name: from === "<unknown>" ? "<unknown>" : "Caller",
      did: dids[Math.floor(this.rnd() * dids.length)],
      patienceSeconds: this.rnd() < 0.15 ? 3 + this.rnd() * 10 : undefined,
      talkSeconds: this.pbx.config.talkSeconds * (0.4 + this.rnd() * 1.2),
    });
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
