--[[
  Ends, with reason 'evicted', the least recently touched live session that no replica holds
  pinned: pins are the session hash's 'p:<holder>' fields, each holding when it lapses (ms); a
  pin lapsed at or before now counts for nothing. Looks at no more than `scan` entries of the
  touch-order index. Entries whose session key is gone (expired in Redis) are dropped from the
  indexes; unreadable ones are passed over.

  KEYS[1] touch-order index KEYS[2] creation-order index KEYS[3] tombstone index
  ARGV[1..8] the policy prelude (ARGV[8] unused)
  ARGV[9] scan: how many index entries to look at, at most

  Returns {id, c, l, o, k, d, i, v} for the session it ended, or {} when none. Ending a session also
  deletes its event log (`<prefix>events:<id>`) and takes it out of its owner's index (see
  includes/owners).
  Keys built here (undeclared; they share the prefix's hash tag, so they live in the declared
  keys' slot, as Redis Cluster requires): per candidate, its session hash `<prefix>s:<id>`; for the
  one ended, its event log `<prefix>events:<id>`, tombstone `<prefix>t:<id>` and owner index
  `<prefix>owner:<sha1>`; tombstones `<prefix>t:<id>` trimmed beyond maxTombstones.

]]
--- @include "policy"
--- @include "tombstones"
--- @include "owners"

local scan = tonumber(ARGV[9])

-- Whether the hash's field/value list `fields` holds a pin lapsing after now.
local function pinned(fields)
  for n = 1, #fields, 2 do
    if string.sub(fields[n], 1, 2) == 'p:' then
      local untilAt = tonumber(fields[n + 1])
      if untilAt ~= nil and untilAt > now then return true end
    end
  end
  return false
end

local candidates = redis.call('ZRANGE', KEYS[1], 0, scan - 1)
for _, member in ipairs(candidates) do
  local key = base .. 's:' .. member
  local ok, fields = pcall(redis.call, 'HGETALL', key)
  if ok and #fields == 0 then
    redis.call('ZREM', KEYS[1], member)
    redis.call('ZREM', KEYS[2], member)
  elseif ok and not pinned(fields) then
    local r = redis.call('HMGET', key, 'c', 'l', 'o', 'k', 'd', 'i', 'v')
    if tonumber(r[1]) ~= nil and tonumber(r[2]) ~= nil then
      redis.call('DEL', key, base .. 'events:' .. member)
      redis.call('ZREM', KEYS[1], member)
      redis.call('ZREM', KEYS[2], member)
      unindexOwner(r[3], member)
      bury(KEYS[3], base .. 't:' .. member, member, r[3], 'evicted')
      return {member, r[1], r[2], r[3], r[4], r[5], r[6], r[7]}
    end
  end
end
return {}
