-- ack: remove finished jobs from a process's in-progress list, matching each payload byte for byte.
-- One call per queue per batch, and a few commands per call, not one LREM per job: jobs finish in about the order
-- they were fetched, so the finished ones sit together near the list's right (oldest) end.
--
-- KEYS[1]  the in-progress list (newest at the left end, as fetch.lua and BLMOVE … RIGHT LEFT leave it)
-- ARGV     the exact payloads, as they were fetched (bytes for one that is not UTF-8)
--
-- How: read the rightmost 2N + 32 entries (N = #ARGV: the finished ones, the older jobs still running among them,
-- and room for newer ones), mark the finished ones there from the right (as LREM -1 would), then cut the list from
-- the leftmost marked entry to the end and push back, in order, the unmarked entries of that stretch. A payload not
-- found in the window (a job that ran long behind many others) is removed with LREM, one per distinct payload.
-- The entries left keep their order, which requeue.lua relies on.
--
-- Returns how many were removed (fewer only if one was already gone, e.g. requeued at shutdown).
local wanted = {}
for i = 1, #ARGV do
  wanted[ARGV[i]] = (wanted[ARGV[i]] or 0) + 1
end

local window = redis.call('LRANGE', KEYS[1], -(2 * #ARGV + 32), -1)
local marked = {}
local leftmost = nil
for i = #window, 1, -1 do
  local left = wanted[window[i]]
  if left and left > 0 then
    wanted[window[i]] = left - 1
    marked[i] = true
    leftmost = i
  end
end

local removed = 0
if leftmost then
  local kept = {}
  for i = leftmost, #window do
    if not marked[i] then
      kept[#kept + 1] = window[i]
    end
  end
  removed = #window - leftmost + 1 - #kept
  redis.call('LTRIM', KEYS[1], 0, -(#window - leftmost + 1) - 1)
  for first = 1, #kept, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(kept, first, math.min(first + 999, #kept)))
  end
end

for payload, left in pairs(wanted) do
  if left > 0 then
    removed = removed + redis.call('LREM', KEYS[1], -left, payload)
  end
end
return removed
