/** The part of autocannon's API the benchmarks use (the package ships no types). */
declare module "autocannon" {
  interface Result {
    /** Per-second average, and how many answers came back in all. */
    requests: { average: number; total: number };
    latency: { p99: number; p50: number; mean: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (request: Request) => Request;
  }
  export default function autocannon(options: {
    url: string;
    connections: number;
    /** Seconds to run, or… */
    duration?: number;
    /** …this many requests in all. */
    amount?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: Request[];
  }): Promise<Result>;
}
