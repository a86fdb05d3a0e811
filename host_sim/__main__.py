# `make sim`: grows with each capability.
print("host_sim: nothing to simulate yet")
