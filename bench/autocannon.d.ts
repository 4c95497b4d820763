/** The part of autocannon's API the benchmarks use (the package ships no types). */
declare module "autocannon" {
  interface Result {
    requests: { average: number };
    latency: { p99: number; p50: number };
    errors: number;
    non2xx: number;
  }
  export default function autocannon(options: { url: string; connections: number; duration: number }): Promise<Result>;
}
