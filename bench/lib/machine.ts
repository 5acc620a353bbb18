import fs from "node:fs";
import os from "node:os";

/** One line saying what machine a figure was measured on. */
export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  let distro: string = os.platform();
  try {
    distro = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync("/etc/os-release", "utf8"))?.[1] ?? distro;
  } catch {
    /* not Linux */
  }
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${distro}, Node ${process.version}`;
}
