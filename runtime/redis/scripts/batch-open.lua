-- batch-open: a jobs block starts on an existing batch (a job of the batch adding to it, or a second block): while
-- any block is open the batch fires no complete or success, so jobs pushed in the block cannot finish it early.
-- A block opened by a job that is itself a pending member of the batch is not counted: the job's own membership
-- holds the batch until its outcome is written, after the block has ended. So a process killed -9 inside such a
-- block leaves nothing open; the job is rescued and runs again.
--
-- KEYS[1]  the batch hash
-- KEYS[2]  its pending set, KEYS[3] failed, KEYS[4] dead (their expiry renewed)
-- ARGV[1]  seconds the batch lives from now
-- ARGV[2]  the jid of the running job that opens the block ('' outside any job of the batch)
--
-- Returns 1 (open: the block is counted and must be closed), 2 (held by the job's membership: nothing to close),
-- 0 (no such batch: it expired or never existed), -1 (it succeeded already: nothing can join it).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'success_at') == 1 then return -1 end
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[1]) end
local memberJid = ARGV[2] or ''
if memberJid ~= '' and redis.call('SISMEMBER', KEYS[2], memberJid) == 1 then return 2 end
redis.call('HINCRBY', KEYS[1], 'open', 1)
return 1
