{
  "targets": [
    {
      "target_name": "rawsock",
      "sources": ["src/rawsock.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
