// `npm run bench:workflows`: the same no-op job, pushed plain or as a workflow's child (returning its number);
// Sum is each workflow's parent, reading its 1,000 children's results.
class NoOp {
  perform(n) {
    return n;
  }
}

class Sum {
  perform() {
    return this.children.reduce((total, child) => total + child.result, 0);
  }
}

export default { workers: { NoOp, Sum } };
