// How a ringing phone reaches the agent besides the card: a WebAudio ring (no audio files), an
// opt-in desktop notification and the tab title. Everything here starts from the socket handler
// directly; nothing waits on a timer, so a pop in a background tab is not delayed.

const MUTE_KEY = "crm.ringer.muted";
const DESKTOP_KEY = "crm.alerts.desktop";

type Permission = NotificationPermission | "unsupported";

const notificationsSupported = typeof window !== "undefined" && "Notification" in window;

export const alerts = $state<{ muted: boolean; desktop: boolean; permission: Permission }>({
  muted: readFlag(MUTE_KEY),
  desktop: readFlag(DESKTOP_KEY),
  permission: notificationsSupported ? Notification.permission : "unsupported",
});

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function writeFlag(key: string, on: boolean): void {
  try {
    localStorage.setItem(key, on ? "1" : "0");
  } catch {
    // A preference that does not survive the tab is still a preference.
  }
}

// ---- sound ---------------------------------------------------------------------------------------

let audio: AudioContext | null = null;
let ring: AudioBufferSourceNode | null = null;
let wantRing = false;

/**
 * Browsers only let a page make sound after the user has interacted with it. The context is made
 * on the first click or key press (signing in counts), so a later ring can start at once.
 */
function unlockAudio(): void {
  if (!audio) {
    try {
      audio = new AudioContext();
    } catch {
      return;
    }
  }
  if (audio.state === "suspended") audio.resume().catch(() => {});
  if (wantRing) startRinging();
}

if (typeof window !== "undefined") {
  window.addEventListener("pointerdown", unlockAudio, { capture: true });
  window.addEventListener("keydown", unlockAudio, { capture: true });
}

/** One cycle of the ring: two short dual-tone beeps, then a pause; played with loop = true. */
function ringBuffer(ctx: AudioContext): AudioBuffer {
  const rate = ctx.sampleRate;
  const cycle = 1.8;
  const buf = ctx.createBuffer(1, Math.round(rate * cycle), rate);
  const data = buf.getChannelData(0);
  const beeps: [number, number][] = [
    [0, 0.2],
    [0.3, 0.5],
  ];
  const fade = 0.012;
  for (const [from, to] of beeps) {
    for (let i = Math.round(from * rate); i < Math.round(to * rate); i++) {
      const t = i / rate;
      const env = Math.min(1, (t - from) / fade, (to - t) / fade);
      data[i] = env * 0.16 * (Math.sin(2 * Math.PI * 880 * t) + Math.sin(2 * Math.PI * 1320 * t));
    }
  }
  return buf;
}

function startRinging(): void {
  wantRing = true;
  if (ring || alerts.muted || !audio) return;
  if (audio.state === "suspended") audio.resume().catch(() => {});
  try {
    const src = audio.createBufferSource();
    src.buffer = ringBuffer(audio);
    src.loop = true;
    src.connect(audio.destination);
    src.start();
    ring = src;
  } catch {
    ring = null;
  }
}

function stopRinging(): void {
  wantRing = false;
  if (!ring) return;
  try {
    ring.stop();
    ring.disconnect();
  } catch {
    // Already stopped.
  }
  ring = null;
}

export function setMuted(muted: boolean): void {
  alerts.muted = muted;
  writeFlag(MUTE_KEY, muted);
  if (muted) {
    const keep = wantRing;
    stopRinging();
    wantRing = keep;
  } else if (wantRing) startRinging();
}

// ---- desktop notifications -----------------------------------------------------------------------

const shown = new Map<string, Notification>();

/** Asks for permission; only ever called from the agent's click on "Enable desktop alerts". */
export async function enableDesktopAlerts(): Promise<void> {
  if (!notificationsSupported) return;
  let permission = Notification.permission;
  if (permission === "default") permission = await Notification.requestPermission();
  alerts.permission = permission;
  alerts.desktop = permission === "granted";
  writeFlag(DESKTOP_KEY, alerts.desktop);
}

export function disableDesktopAlerts(): void {
  alerts.desktop = false;
  writeFlag(DESKTOP_KEY, false);
  for (const n of shown.values()) n.close();
  shown.clear();
}

export interface RingingAlert {
  id: string;
  title: string;
  body: string;
}

// ---- what rings now ------------------------------------------------------------------------------

const baseTitle = typeof document !== "undefined" ? document.title : "";

/**
 * Brings sound, notifications and the tab title in line with the calls ringing now (inbound pops
 * ring; an outbound call ringing the agent's own phone does not need a ring tone from the console).
 */
export function syncAlerts(ringing: RingingAlert[]): void {
  if (ringing.length > 0) startRinging();
  else stopRinging();

  for (const [id, n] of shown) {
    if (!ringing.some((r) => r.id === id)) {
      n.close();
      shown.delete(id);
    }
  }
  if (alerts.desktop && notificationsSupported && Notification.permission === "granted") {
    for (const r of ringing) {
      if (shown.has(r.id) || document.visibilityState === "visible") continue;
      try {
        const n = new Notification(r.title, { body: r.body, tag: `call-${r.id}`, requireInteraction: true });
        n.onclick = () => {
          window.focus();
          n.close();
        };
        shown.set(r.id, n);
      } catch {
        // Some platforms only allow notifications from a service worker.
      }
    }
  }

  document.title = ringing.length > 0 ? `☎ ${ringing[0]!.title} · ${baseTitle}` : baseTitle;
}
