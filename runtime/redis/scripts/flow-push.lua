-- flow-push: a workflow is saved and started in one step (docs/workflows.md): every parent waits in its own hash
-- with its count of children, its payload ready to push, and its results hash (an empty field keeps it there); the tree and each node's state are kept under the root's
-- jid for the dashboard; the leaves go to their queues as ordinary jobs. All or nothing, so no child can finish
-- before its parent is there to count it. Workflows are refused on a Redis Cluster: keys are built from prefixes.
--
-- KEYS[1]  the queues set
-- KEYS[2]  the workflows index (root jid → pushed at)
-- ARGV[1]  the workflow key prefix (`sidepunch:flow:`)
-- ARGV[2]  the queue key prefix (`queue:`)
-- ARGV[3]  the root's jid
-- ARGV[4]  now, epoch seconds
-- ARGV[5]  seconds the workflow's keys live
-- ARGV[6]  the tree, JSON
-- ARGV[7]  P, the number of parents; then P groups of 8: jid, its parent's jid ('' for the root), class, pending
--          (its number of children), queue, childDeath policy, its children's jids (JSON), payload (no closing brace)
-- ARGV[8 + 8P …] the leaves: triples of queue, jid, payload
--
-- Returns the number of leaves pushed.
local flowPrefix, queuePrefix, root, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local parents = tonumber(ARGV[7])
local stateKey = flowPrefix .. root .. ':state'

redis.call('SET', flowPrefix .. root .. ':tree', ARGV[6], 'EX', ttl)
for i = 0, parents - 1 do
  local at = 8 + i * 8
  local jid = ARGV[at]
  local hash = flowPrefix .. jid
  redis.call('HSET', hash, 'root', root, 'parent', ARGV[at + 1], 'class', ARGV[at + 2], 'pending', ARGV[at + 3],
    'queue', ARGV[at + 4], 'policy', ARGV[at + 5], 'children', ARGV[at + 6], 'payload', ARGV[at + 7])
  redis.call('EXPIRE', hash, ttl)
  -- The results hash exists from the start, with its expiry, so settling a child never sets one.
  redis.call('HSET', hash .. ':results', '', '')
  redis.call('EXPIRE', hash .. ':results', ttl)
  redis.call('HSET', stateKey, jid, 'waiting')
end

-- The leaves, a thousand per LPUSH and per HSET (unpack's limit is far above).
local byQueue, queueOrder, states = {}, {}, {}
local leaves = 0
local function flush(queue)
  local payloads = byQueue[queue]
  if #payloads > 0 then redis.call('LPUSH', queuePrefix .. queue, unpack(payloads)) end
  byQueue[queue] = {}
end
for i = 8 + parents * 8, #ARGV, 3 do
  local queue = ARGV[i]
  if not byQueue[queue] then
    byQueue[queue] = {}
    queueOrder[#queueOrder + 1] = queue
    redis.call('SADD', KEYS[1], queue)
  end
  local payloads = byQueue[queue]
  payloads[#payloads + 1] = ARGV[i + 2]
  if #payloads == 1000 then flush(queue) end
  states[#states + 1] = ARGV[i + 1]
  states[#states + 1] = 'pending'
  if #states == 2000 then
    redis.call('HSET', stateKey, unpack(states))
    states = {}
  end
  leaves = leaves + 1
end
for _, queue in ipairs(queueOrder) do flush(queue) end
if #states > 0 then redis.call('HSET', stateKey, unpack(states)) end
redis.call('EXPIRE', stateKey, ttl)
redis.call('ZADD', KEYS[2], now, root)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(now) - ttl)
return leaves
