--[[
  Renews this replica's stream holder records. A record that lapsed is written again (the
  replica still holds the stream); one that names another replica (it took the stream over) is
  left alone and reported.

  KEYS[1..n] stream holder keys
  ARGV[1] this replica's ID    ARGV[2] TTL in ms

  Returns the 1-based indexes of the keys another replica holds.
]]
local lost = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == false or holder == ARGV[1] then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
  else
    lost[#lost + 1] = i
  end
end
return lost
