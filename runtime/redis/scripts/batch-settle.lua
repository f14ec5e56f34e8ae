-- batch-settle: members of one batch succeeded, failed or died (or a jobs block ended); fire each of the batch's events the first time its
-- condition holds, pushing the callback job in this same step, and pass the batch's own outcome on to its parent.
-- Called in the completer's MULTI beside the job's acknowledgement, retry or dead-set entry, so the count and the
-- outcome are written together; counting by member (SREM/SADD of the jid) makes a second run of the same job (one
-- rescued from a process that was thought dead) count once. Conditions, as Sidekiq Pro's:
--   complete: no jobs block open, and every member not yet succeeded has failed at least once (pending = failures);
--   success:  no jobs block open, and every member succeeded (pending = 0);
--   death:    a member went to the dead set (the first one).
-- A child batch is the member `batch:<bid>` of its parent: its success is a success there, its completion with
-- failures a failure. A death in the child is a death in the parent at once (its death event, the child in its dead
-- set), but the child has not run to its end: it counts as failed there only when it completes. Batches are refused
-- on a Redis Cluster: the keys of a parent batch and of the callback's queue are built here from prefixes.
--
-- KEYS[1]  the queues set
-- ARGV[1]  the batch key prefix (`sidepunch:batch:`)
-- ARGV[2]  the queue key prefix (`queue:`)
-- ARGV[3]  now, epoch seconds as written in payloads (`enqueued_at` of the callback jobs)
-- ARGV[4]  the bid
-- ARGV[5…] pairs: the member (a jid, or '' with 'close'), then 'success', 'failure', 'death' or 'close' (a jobs
--          block ended); in the order the outcomes were written. ('child-death', a death inside a child batch, is
--          only passed from a child to its parent here.)
--
-- Returns the events fired, as `<bid>:<event>`, the parents' included.
local batchPrefix, queuePrefix, now = ARGV[1], ARGV[2], ARGV[3]
local fired = {}

-- A child batch's complete and success callbacks join its parent as pending members (not counted in `total`: the
-- child is one member there), their `bid` the parent's: the parent's complete and success wait until they have run,
-- as Sidekiq Pro's do, and they may add the next step's jobs to the parent (`this.batch.jobs`). They join before the
-- child's outcome is recorded in the parent, in this same step. (Death fires at once everywhere: a child's on-death
-- is not waited for.)
local function fire(bid, hash, event, pending, failures)
  fired[#fired + 1] = bid .. ':' .. event
  local template = redis.call('HGET', hash, 'cb_' .. event)
  if not template then return end
  local queue = redis.call('HGET', hash, 'cbq_' .. event)
  local total = tonumber(redis.call('HGET', hash, 'total') or '0')
  local status = cjson.encode({ bid = bid, event = event, total = total, pending = pending, failures = failures })
  local member = ''
  local parent, jid = redis.call('HGET', hash, 'parent'), redis.call('HGET', hash, 'cbj_' .. event)
  if parent and jid and event ~= 'death' then
    local parentHash = batchPrefix .. parent
    local ttl = redis.call('TTL', parentHash)
    if ttl > 0 then
      redis.call('SADD', parentHash .. ':pending', jid)
      redis.call('EXPIRE', parentHash .. ':pending', ttl)
      member = ',"bid":' .. cjson.encode(parent)
    end
  end
  redis.call('SADD', KEYS[1], queue)
  redis.call('LPUSH', queuePrefix .. queue,
    template .. ',"batch_callback":' .. status .. member .. ',"enqueued_at":' .. now .. '}')
end

-- Counts one member's outcome in one batch; returns whether it changed anything.
local function record(bid, member, kind)
  local hash = batchPrefix .. bid
  if kind == 'close' then
    if redis.call('EXISTS', hash) == 0 then return false end
    redis.call('HINCRBY', hash, 'open', -1)
    return true
  end
  local pendingKey = hash .. ':pending'
  if redis.call('SISMEMBER', pendingKey, member) == 0 then return false end -- succeeded already, or expired
  if kind == 'child-death' then
    local ttl = redis.call('TTL', hash)
    redis.call('SADD', hash .. ':dead', member)
    if ttl > 0 then redis.call('EXPIRE', hash .. ':dead', ttl) end
  elseif kind == 'success' then
    redis.call('SREM', pendingKey, member)
    redis.call('SREM', hash .. ':failed', member)
  else
    local ttl = redis.call('TTL', hash)
    redis.call('SADD', hash .. ':failed', member)
    if ttl > 0 then redis.call('EXPIRE', hash .. ':failed', ttl) end
    if kind == 'death' then
      redis.call('SADD', hash .. ':dead', member)
      if ttl > 0 then redis.call('EXPIRE', hash .. ':dead', ttl) end
    end
  end
  return true
end

-- Fires what the batch's counts now call for. Returns what its parent records for it: the outcome ('success' or
-- 'failure', once the batch has run to its end), or nil; and whether its death event fired just now.
local function check(bid, died)
  local hash = batchPrefix .. bid
  local pending = redis.call('SCARD', hash .. ':pending')
  local failures = redis.call('SCARD', hash .. ':failed')
  local outcome, deathFired = nil, false
  if died and redis.call('HSETNX', hash, 'death_at', now) == 1 then
    fire(bid, hash, 'death', pending, failures)
    deathFired = true
  end
  if tonumber(redis.call('HGET', hash, 'open') or '0') > 0 then return outcome, deathFired end
  if pending == failures and redis.call('HSETNX', hash, 'complete_at', now) == 1 then
    fire(bid, hash, 'complete', pending, failures)
    if pending > 0 then outcome = 'failure' end
  end
  if pending == 0 and redis.call('HSETNX', hash, 'success_at', now) == 1 then
    fire(bid, hash, 'success', pending, failures)
    outcome = 'success'
  end
  return outcome, deathFired
end

-- Every member first, then the conditions once: one check per call, not per job.
local bid = ARGV[4]
local changed, died = false, false
for i = 5, #ARGV, 2 do
  if record(bid, ARGV[i], ARGV[i + 1]) then
    changed = true
    if ARGV[i + 1] == 'death' then died = true end
  end
end
if not changed then return fired end
local outcome, deathFired = check(bid, died)
while outcome or deathFired do
  local parent = redis.call('HGET', batchPrefix .. bid, 'parent')
  if not parent then break end
  local member = 'batch:' .. bid
  local parentChanged = false
  if deathFired and record(parent, member, 'child-death') then parentChanged = true end
  if outcome and record(parent, member, outcome) then parentChanged = true end
  if not parentChanged then break end
  bid = parent
  outcome, deathFired = check(parent, deathFired)
end
return fired
