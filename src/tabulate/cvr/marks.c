/* Helpers shared by the CVR readers: ordering a ballot's marks. Nothing here
 * reads input. */
#include "tabulate/cvr/marks.h"

void pc_cvr_marks_sort(pc_cvr_mark_t *marks, size_t count) {
  for (size_t i = 1; i < count; i++) {
    pc_cvr_mark_t mark = marks[i];
    size_t j = i;
    while (j > 0 && marks[j - 1].rank > mark.rank) {
      marks[j] = marks[j - 1];
      j--;
    }
    marks[j] = mark;
  }
}
