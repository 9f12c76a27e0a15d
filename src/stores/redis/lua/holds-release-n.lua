--[[
  Deletes stream holder records that still name this replica (compare-and-delete); another
  replica's record survives.

  KEYS[1..n] stream holder keys
  ARGV[1] this replica's ID

  Returns how many were deleted.
]]
local deleted = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('DEL', key)
    deleted = deleted + 1
  end
end
return deleted
