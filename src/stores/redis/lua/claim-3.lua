--[[
  Ends up to `limit` sessions past their deadline, deleting their event logs
  (`<prefix>events:<id>`) and writing their tombstones, and drops
  tombstones past their age or beyond maxTombstones. Index entries whose session key is gone
  (expired in Redis) or unreadable are dropped from the indexes, the owner index included when
  the owner is readable (see includes/owners); unreadable keys are left as they are.

  KEYS[1] touch-order index KEYS[2] creation-order index KEYS[3] tombstone index
  ARGV[1..8] the policy prelude (ARGV[8] unused)
  ARGV[9] limit

  Returns a flat array, 9 entries per ended session: id, c, l, o, k, d, i, reason, v.
  Keys built here (undeclared; they share the prefix's hash tag, so they live in the declared
  keys' slot, as Redis Cluster requires): per claimed member, its session hash `<prefix>s:<id>`,
  event log `<prefix>events:<id>`, tombstone `<prefix>t:<id>` and owner index
  `<prefix>owner:<sha1>`; tombstones `<prefix>t:<id>` dropped by age or beyond maxTombstones.

]]
--- @include "policy"
--- @include "tombstones"
--- @include "owners"

local limit = tonumber(ARGV[9])
local claimed = {}
local count = 0

-- Claims due members of one index; answers false when it ran out of candidates.
local function claimFrom(index, cutoff, fixedReason)
  local examined = 0
  while count < limit and examined < limit * 4 + 100 do
    local batch = redis.call('ZRANGEBYSCORE', index, '-inf', cutoff, 'LIMIT', 0, limit - count)
    if #batch == 0 then return end
    for _, member in ipairs(batch) do
      examined = examined + 1
      local key = base .. 's:' .. member
      local ok, r = pcall(redis.call, 'HMGET', key, 'c', 'l', 'o', 'k', 'd', 'i', 'v')
      local createdAt = ok and tonumber(r[1]) or nil
      local lastSeenAt = ok and tonumber(r[2]) or nil
      redis.call('ZREM', KEYS[1], member)
      redis.call('ZREM', KEYS[2], member)
      if ok then unindexOwner(r[3], member) end
      if createdAt ~= nil and lastSeenAt ~= nil then
        local reason = fixedReason or expiryReasonOf(createdAt)
        redis.call('DEL', key, base .. 'events:' .. member)
        bury(KEYS[3], base .. 't:' .. member, member, r[3], reason)
        local at = count * 9
        claimed[at + 1] = member
        claimed[at + 2] = r[1]
        claimed[at + 3] = r[2]
        claimed[at + 4] = r[3]
        claimed[at + 5] = r[4]
        claimed[at + 6] = r[5]
        claimed[at + 7] = r[6]
        claimed[at + 8] = reason
        claimed[at + 9] = r[7]
        count = count + 1
      end
    end
  end
end

if idleTtl > 0 then claimFrom(KEYS[1], now - idleTtl, nil) end
if maxLife > 0 then claimFrom(KEYS[2], now - maxLife, 'lifetime') end

local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tombTtl, 'LIMIT', 0, 1000)
for _, member in ipairs(stale) do
  redis.call('DEL', base .. 't:' .. member)
  redis.call('ZREM', KEYS[3], member)
end
trimTombstones(KEYS[3])
return claimed
