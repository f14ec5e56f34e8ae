-- flow-settle: jobs of workflows succeeded, failed or died (docs/workflows.md). Called in the completer's MULTI
-- beside the jobs' acknowledgements, retries or dead-set entries, so a node's state and its parent's count are
-- written together with its outcome. A child is counted in its parent once, by jid (HSETNX of its result), so a
-- second run of the same job (one rescued from a process thought dead) counts nothing; a dead child retried from the
-- dead set that succeeds stores its result in place of its death mark, uncounted. When a parent's count
-- reaches 0 it is pushed to its queue. A child that died fails its parent (policy `fail`, the default: the parent
-- goes to the dead set with an error naming the child, its count is set to -1 so it is never pushed, and so on up
-- the tree) or counts as done without a result (policy `ignore`). Successes are the common case and are grouped:
-- one HSETNX per child, then one state write per workflow and one HINCRBY per parent for the whole call.
-- Workflows are refused on a Redis Cluster: keys are built here from prefixes.
--
-- KEYS[1]  the queues set
-- KEYS[2]  the dead set
-- ARGV[1]  the workflow key prefix (`sidepunch:flow:`)
-- ARGV[2]  the queue key prefix (`queue:`)
-- ARGV[3]  now, epoch seconds as written in payloads
-- ARGV[4]  seconds a finished workflow's records still live
-- ARGV[5…] groups of 5, in the order the outcomes were written: root jid, jid, parent jid ('' for the root),
--          'success' | 'parent-success' (a job that had children) | 'failure' | 'death', then the result entry
--          (success: `{"jid","class","result"}` JSON) or the class (death)
--
-- Returns the jids of the parents pushed to their queues.
local flowPrefix, queuePrefix, now, doneTtl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local pushed = {}
local states, stateOrder = {}, {} -- root → { jid, state, jid, state, … }, written once per workflow
local counted, countOrder = {}, {} -- parent → { root, n }: children newly counted in this call
local alive = {} -- parent → whether its results hash is still there (false: expired)

local function setState(root, jid, state)
  local list = states[root]
  if not list then
    list = {}
    states[root] = list
    stateOrder[#stateOrder + 1] = root
  end
  list[#list + 1] = jid
  list[#list + 1] = state
end

local function writeStates()
  for _, root in ipairs(stateOrder) do
    local key = flowPrefix .. root .. ':state'
    if redis.call('EXISTS', key) == 1 then redis.call('HSET', key, unpack(states[root])) end
  end
  states, stateOrder = {}, {}
end

-- The workflow ended (its root succeeded or died): its records live doneTtl more, for the dashboard.
local function finish(root)
  redis.call('EXPIRE', flowPrefix .. root .. ':tree', doneTtl)
  redis.call('EXPIRE', flowPrefix .. root .. ':state', doneTtl)
end

-- Records `child` in `parent` once; true when this call counted it. flow-push.lua made the results hash with its
-- expiry: when it is gone, so is the workflow.
local function record(parent, child, entry)
  local results = flowPrefix .. parent .. ':results'
  if alive[parent] == nil then alive[parent] = redis.call('EXISTS', results) == 1 end
  return alive[parent] and redis.call('HSETNX', results, child, entry) == 1
end

-- A child that died and, retried from the dead set, succeeded after all: its result replaces its death mark, so
-- its parent (retried from the dead set in turn, or under 'ignore' still waiting for others) reads it. It was
-- counted once already, as a death: it is not counted again. Called after record() refused it.
local function recordLate(parent, child, entry)
  local results = flowPrefix .. parent .. ':results'
  if alive[parent] and redis.call('HGET', results, child) == '-' then redis.call('HSET', results, child, entry) end
end

-- `n` more children of `parent` done: the parent goes to its queue when they were the last (a failed parent's
-- count is -1, so it never reaches 0).
local function count(root, parent, n)
  local hash = flowPrefix .. parent
  if redis.call('HINCRBY', hash, 'pending', -n) ~= 0 then return end
  local queue = redis.call('HGET', hash, 'queue')
  redis.call('SADD', KEYS[1], queue)
  redis.call('LPUSH', queuePrefix .. queue, redis.call('HGET', hash, 'payload') .. ',"enqueued_at":' .. now .. '}')
  setState(root, parent, 'pending')
  pushed[#pushed + 1] = parent
end

local function countLater(root, parent)
  local entry = counted[parent]
  if entry then
    entry[2] = entry[2] + 1
  else
    counted[parent] = { root, 1 }
    countOrder[#countOrder + 1] = parent
  end
end

-- A node went to the dead set: its parent fails (and then its own parent, …) or ignores it.
local function die(root, jid, parent, class)
  setState(root, jid, 'dead')
  while parent ~= '' do
    local hash = flowPrefix .. parent
    local policy = redis.call('HGET', hash, 'policy')
    if not policy or not record(parent, jid, '-') then return end -- expired, or counted already
    if policy == 'ignore' then return countLater(root, parent) end
    if redis.call('HSETNX', hash, 'killed', now) == 0 then return end
    redis.call('HSET', hash, 'pending', -1)
    local message = 'child ' .. class .. ' ' .. jid .. ' went to the dead set'
    redis.call('ZADD', KEYS[2], now, redis.call('HGET', hash, 'payload') ..
      ',"error_class":"Sidepunch::ChildDied","error_message":' .. cjson.encode(message) ..
      ',"failed_at":' .. now .. '}')
    setState(root, parent, 'dead')
    jid, class, parent = parent, redis.call('HGET', hash, 'class'), redis.call('HGET', hash, 'parent')
  end
  finish(root)
end

for i = 5, #ARGV, 5 do
  local root, jid, parent, outcome, detail = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  if outcome == 'success' or outcome == 'parent-success' then
    setState(root, jid, 'succeeded')
    if outcome == 'parent-success' then -- a parent that ran: its results are not needed beyond the workflow's end
      redis.call('EXPIRE', flowPrefix .. jid, doneTtl)
      redis.call('EXPIRE', flowPrefix .. jid .. ':results', doneTtl)
    end
    if parent == '' then
      finish(root)
    elseif record(parent, jid, detail) then
      countLater(root, parent)
    else
      recordLate(parent, jid, detail)
    end
  elseif outcome == 'failure' then
    setState(root, jid, 'retrying')
  elseif parent == '' then
    setState(root, jid, 'dead')
    finish(root)
  else
    die(root, jid, parent, detail)
  end
end
writeStates()
for _, parent in ipairs(countOrder) do count(counted[parent][1], parent, counted[parent][2]) end
writeStates()
return pushed
