--[[
  Counts live sessions and live tombstones (no enumeration).

  KEYS[1] touch-order index KEYS[2] tombstone index
  ARGV[1..8] the policy prelude

  Returns {sessions, tombstones}.
]]
--- @include "policy"

return {
  redis.call('ZCARD', KEYS[1]),
  redis.call('ZCOUNT', KEYS[2], '(' .. (now - tombTtl), '+inf'),
}
