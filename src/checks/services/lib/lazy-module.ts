// Client libraries are loaded the first time a check needs them: every service module
// is imported by the registry, and loading pg, mysql2, oracledb, ldapts, basic-ftp,
// radius and dns-packet up front costs ~0.4 s and ~30 MB RSS at daemon start, even for
// a config that only checks http.
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((err: unknown) => {
      loaded = undefined; // let a later check try again
      throw err;
    });
    return loaded;
  };
}
