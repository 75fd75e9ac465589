# tests/fault: the fault-injection shim the fault tests preload (included by the top Makefile).
all: tests/fault/libfault.so

tests/fault/libfault.so: tests/fault/fault.c
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -fPIC -shared -o $@ $< -ldl
