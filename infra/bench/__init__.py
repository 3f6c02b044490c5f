"""`make bench` (`python -m infra.bench [--quick]`): cold start, zip size, DynamoDB requests and
capacity per operation, import throughput, site weight and a modelled cost; prints a table and
writes `.local/bench.json`. Ratios are against baselines measured in the same run; nothing here
is a pass/fail timing assertion."""
