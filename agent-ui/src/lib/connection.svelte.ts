// Live-connection status shown in the top bar (written by realtime.ts).
export const connection = $state<{ live: boolean }>({ live: false });
