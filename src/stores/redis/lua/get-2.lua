--[[
  Reads a session without touching it.

  KEYS[1] session hash  KEYS[2] tombstone hash
  ARGV[1..8] the policy prelude
  ARGV[9] the owner check (see includes/owner): another owner's session or tombstone is {0}

  Returns {1, c, l, o, k, d, i, v} active, {2, c, l, o, k, d, i, reason, v} past its deadline,
  {3, reason, endedAt, owner} ended, {0} unknown; -1 when the record is unreadable. v (the
  version) is nil for a record written before versions existed.
]]
--- @include "policy"
--- @include "tombstones"
--- @include "owner"

local r = redis.call('HMGET', KEYS[1], 'c', 'l', 'o', 'k', 'd', 'i', 'v')
if not r[1] then return visibleTombstone(KEYS[2], ARGV[9]) end
if not ownerVisible(r[3], ARGV[9]) then return strangerReply(KEYS[2]) end
local createdAt, lastSeenAt = tonumber(r[1]), tonumber(r[2])
if createdAt == nil or lastSeenAt == nil then return CORRUPT end
if deadlineOf(createdAt, lastSeenAt) <= now then
  return {2, r[1], r[2], r[3], r[4], r[5], r[6], expiryReasonOf(createdAt), r[7]}
end
return {1, r[1], r[2], r[3], r[4], r[5], r[6], r[7]}
