--[[
  Redis's time, from the node that serves KEYS[1]: on a Redis Cluster, every replica of a fleet
  then reads the clock of the master holding its sessions (a bare TIME would reach any node).

  KEYS[1] a key of the namespace: it routes the call, and no command reads it

  Returns TIME's reply {seconds, microseconds}.
]]
return redis.call('TIME')
