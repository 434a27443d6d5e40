/** The ticket ids of the list the agent last looked at, so j/k in a ticket move through that list. */
let ids: number[] = [];
let from = '/inbox';

export const setTicketSequence = (list: number[], listPath: string) => {
  ids = list;
  from = listPath;
};
export const neighbour = (id: number, step: 1 | -1) => {
  const i = ids.indexOf(id);
  return i < 0 ? undefined : ids[i + step];
};
export const listPath = () => from;
