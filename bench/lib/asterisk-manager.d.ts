// Types for asterisk-manager 0.2.0 (the package ships none): only what the benchmark, which keeps it as a yardstick, uses.
declare module "asterisk-manager" {
  export type Raw = Record<string, string | string[] | Record<string, string>>;
  export interface Manager {
    on(event: "managerevent", cb: (e: Raw) => void): void;
    on(event: "close" | "end" | "connect", cb: () => void): void;
    on(event: "error", cb: (err: Error) => void): void;
    once(event: string, cb: (...args: unknown[]) => void): void;
    removeListener(event: string, cb: (...args: unknown[]) => void): void;
    removeAllListeners(event?: string): void;
    connect(port: number, host: string, cb: (err: Error | null) => void): void;
    login(cb: (err: Raw | Error | null) => void): void;
    action(action: Record<string, string | Record<string, string>>, cb: (err: Raw | undefined, res: Raw) => void): string;
    disconnect(cb?: () => void): void;
    isConnected(): boolean;
  }
  function AsteriskManager(port?: number, host?: string, username?: string, password?: string, events?: boolean): Manager;
  export default AsteriskManager;
}
