--[[
  One owner's live sessions, oldest first, from the owner index (see includes/owners). Members
  whose session key is gone are pruned; unreadable records and those of another owner (a hash
  collision) are skipped.

  KEYS[1] the owner's index
  ARGV[1] key prefix  ARGV[2] the owner
  ARGV[3] '' any kind, or '=' followed by the kind to keep
  ARGV[4] at most this many (-1: no limit)

  Returns {id, c, l, o, k, d, i, v, id, c, ...}.
  Keys built here (undeclared; they share the prefix's hash tag, so they live in the declared
  keys' slot, as Redis Cluster requires): the session hash `<prefix>s:<id>` (ARGV[1] is the prefix)
  of each member of the owner's index.

]]
--- @include "records"

local limit = tonumber(ARGV[4])
local out = {}
local n = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if limit >= 0 and n >= limit then break end
  local ok, r = readRecord(ARGV[1], member)
  if ok and not r[1] then
    redis.call('ZREM', KEYS[1], member)
  elseif ok and isRecord(r) and r[3] == ARGV[2]
      and (ARGV[3] == '' or (r[4] and ARGV[3] == '=' .. r[4])) then
    appendRecord(out, member, r)
    n = n + 1
  end
end
return out
