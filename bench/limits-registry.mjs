// `npm run bench:limits`: the same no-op job unlimited, under a concurrency limit it never reaches, under a window
// limit it never reaches, and unique (a lock per distinct argument, taken with the push, released at success):
// what a limit or a lock costs a job (its scripts' round trips), not what waiting costs.
class NoOp {
  perform(_n) {}
}

class ConcurrentNoOp {
  static sidepunchOptions = { limit: { kind: 'concurrent', limit: 100_000 } };
  perform(_n) {}
}

class WindowNoOp {
  static sidepunchOptions = { limit: { kind: 'window', limit: 100_000_000, per: 1 } };
  perform(_n) {}
}

class UniqueNoOp {
  static sidepunchOptions = { unique: { for: 600 } };
  perform(_n) {}
}

export default { workers: { NoOp, ConcurrentNoOp, WindowNoOp, UniqueNoOp } };
