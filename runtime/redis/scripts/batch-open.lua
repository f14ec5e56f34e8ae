-- batch-open: a jobs block starts on an existing batch (a job of the batch adding to it, or a second block): while
-- any block is open the batch fires no complete or success, so jobs pushed in the block cannot finish it early.
--
-- KEYS[1]  the batch hash
-- KEYS[2]  its pending set, KEYS[3] failed, KEYS[4] dead (their expiry renewed)
-- ARGV[1]  seconds the batch lives from now
--
-- Returns 1 (open), 0 (no such batch: it expired or never existed), -1 (it succeeded already: nothing can join it).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'success_at') == 1 then return -1 end
redis.call('HINCRBY', KEYS[1], 'open', 1)
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[1]) end
return 1
