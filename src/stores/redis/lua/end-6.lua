--[[
  Ends a live session: deletes it and its event log and writes its tombstone, and takes it out
  of its owner's index (see includes/owners).

  KEYS[1] session hash      KEYS[2] tombstone hash
  KEYS[3] touch-order index KEYS[4] creation-order index KEYS[5] tombstone index
  KEYS[6] the session's event log (`<prefix>events:<id>`)
  ARGV[1..8] the policy prelude
  ARGV[9] the end reason

  Returns {1, c, l, o, k, d, i, v} when this call ended it, {3, reason, endedAt, owner} when it
  had ended already, {0} unknown; -1 when the tombstone is unreadable.

  Keys built here (undeclared; they share the prefix's hash tag, so they live in the declared
  keys' slot, as Redis Cluster requires): the owner index `<prefix>owner:<sha1>` of the owner
  read from the record, and tombstones `<prefix>t:<id>` trimmed beyond maxTombstones.
]]
--- @include "policy"
--- @include "tombstones"
--- @include "owners"

local r = redis.call('HMGET', KEYS[1], 'c', 'l', 'o', 'k', 'd', 'i', 'v')
if not r[1] then return tombstoneReply(KEYS[2]) end
redis.call('DEL', KEYS[1], KEYS[6])
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[4], id)
unindexOwner(r[3], id)
bury(KEYS[5], KEYS[2], id, r[3], ARGV[9])
return {1, r[1], r[2], r[3], r[4], r[5], r[6], r[7]}
