/* Fuzzes the Dominion reader on one CvrExport JSON (the input) with fixed
 * manifests written once into a scratch folder. */
#include "fuzz_common.h"
#include "tabulate/cvr/dominion.h"

static void manifest(const char *dir, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  fuzz_write(path, (const uint8_t *)text, strlen(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *dir = fuzz_scratch();
  static int ready;
  if (!ready) {
    manifest(dir, "CandidateManifest.json", "{\"List\":[{\"Description\":\"A\",\"Id\":1,\"ContestId\":1},"
                                            "{\"Description\":\"B\",\"Id\":2,\"ContestId\":1},{\"Description\":\"C\",\"Id\":3,\"ContestId\":2}]}");
    manifest(dir, "ContestManifest.json", "{\"List\":[{\"Description\":\"M\",\"Id\":1},{\"Description\":\"N\",\"Id\":2}]}");
    manifest(dir, "PrecinctPortionManifest.json", "{\"List\":[{\"Description\":\"PP\",\"Id\":1}]}");
    manifest(dir, "PrecinctManifest.json", "{\"List\":[{\"Description\":\"P\",\"Id\":1}]}");
    ready = 1;
  }
  char path[512];
  snprintf(path, sizeof path, "%s/CvrExport_1.json", dir);
  fuzz_write(path, data, size);
  pc_cvr_source_t source = {.provider = PC_CVR_DOMINION, .path = dir, .contest_id = "1",
                            .undeclared_write_in_label = "3"};
  size_t total = 0;
  pc_error_t err;
  (void)pc_dominion_read_export_file(&source, path, dir, fuzz_ballot, &total, NULL, &err);
  return 0;
}
