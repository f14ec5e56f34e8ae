-- ack: remove finished jobs from a process's in-progress list, matching each payload byte for byte.
-- One call per queue per batch: a batch of N acknowledgements is one command, not N.
--
-- KEYS[1]  the in-progress list
-- ARGV     the exact payloads, as they were fetched (bytes for one that is not UTF-8)
--
-- Returns how many were removed (fewer only if one was already gone, e.g. requeued at shutdown).
local removed = 0
for i = 1, #ARGV do
  removed = removed + redis.call('LREM', KEYS[1], -1, ARGV[i])
end
return removed
