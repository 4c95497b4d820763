export function registerInsightsPages(_app: import("../lib/create-router").Router) {}
