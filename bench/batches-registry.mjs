// `npm run bench:batches`: the same no-op job, pushed plain or inside a batch; Done is the batch's success callback.
class NoOp {
  perform(_n) {}
}

class Done {
  perform() {}
}

export default { workers: { NoOp, Done } };
