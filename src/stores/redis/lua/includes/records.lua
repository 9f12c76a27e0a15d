--[[
  Reading session records for the listing scripts: the hash `<prefix>s:<id>` of a member, and its
  fields packed into a flat reply as {id, c, l, o, k, d, i, v}.
]]

-- The record fields of `member` under `prefix`: ok (false when the key is not a hash) and
-- {c, l, o, k, d, i, v}.
local function readRecord(prefix, member)
  return pcall(redis.call, 'HMGET', prefix .. 's:' .. member, 'c', 'l', 'o', 'k', 'd', 'i', 'v')
end

-- Whether fields read by readRecord form a record (both times are numbers).
local function isRecord(r)
  return tonumber(r[1]) ~= nil and tonumber(r[2]) ~= nil
end

-- Appends member and its fields to the flat reply `out`.
local function appendRecord(out, member, r)
  local at = #out
  out[at + 1] = member
  for f = 1, 7 do out[at + 1 + f] = r[f] end
end
