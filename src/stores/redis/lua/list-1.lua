--[[
  One page of live sessions, walking the touch-order index with ZSCAN (never blocks Redis for
  long). Unreadable or vanished entries are skipped.

  KEYS[1] touch-order index
  ARGV[1] key prefix  ARGV[2] ZSCAN cursor  ARGV[3] ZSCAN COUNT hint

  Returns {nextCursor, id, c, l, o, k, d, i, v, id, c, ...}; nextCursor '0' on the last page.
  Keys built here (undeclared; they share the prefix's hash tag, so they live in the declared
  keys' slot, as Redis Cluster requires): the session hash `<prefix>s:<id>` (ARGV[1] is the prefix)
  of each member of the page.

]]
--- @include "records"

local page = redis.call('ZSCAN', KEYS[1], ARGV[2], 'COUNT', ARGV[3])
local out = {page[1]}
local items = page[2]
for n = 1, #items, 2 do
  local member = items[n]
  local ok, r = readRecord(ARGV[1], member)
  if ok and isRecord(r) then appendRecord(out, member, r) end
end
return out
