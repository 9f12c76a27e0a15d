import { z } from 'zod';
import {
  type HandleKind,
  handleArgument,
  registerHandleTool,
  registerHandleTools,
  type ToolServer,
  toolError,
  toolText,
  withHandle,
} from '../../src/handles/index.js';

/** The longest item `add_item` accepts, in characters. */
const MAX_ITEM_CHARS = 200;

/**
 * Registers the basket tools of `baskets` (a kind whose state is the list of items) on an
 * `McpServer` of SDK v1 or v2:
 * - `create_basket` answers a new basket's handle and how long baskets last;
 * - `add_item` `{ basket_id, item }` adds `item` at the end;
 * - `view_basket` `{ basket_id }` answers the items in order;
 * - `list_baskets` answers the caller's live baskets;
 * - `destroy_basket` `{ basket_id }` ends one.
 * Baskets belong to the caller's user (bearer tokens); without authentication, holding the
 * handle is enough. Every description says how long baskets last.
 */
export function registerBasketTools(server: ToolServer, baskets: HandleKind<string[]>): void {
  const { durability } = baskets;
  const basketId = handleArgument(baskets);
  registerHandleTool(server, {
    name: 'create_basket',
    config: { description: `Creates an empty basket and answers its handle. ${durability}` },
    callback: async (extra: unknown) => {
      try {
        const basket = await baskets.create(baskets.ownerOf(extra), []);
        return toolText(
          `Created basket ${basket.id}. ${durability} Pass it as basket_id to add_item and view_basket.`,
        );
      } catch (error) {
        return toolError(error);
      }
    },
  });
  registerHandleTool(server, {
    name: 'add_item',
    config: {
      description: `Adds an item at the end of a basket. ${durability}`,
      inputSchema: z.object({ basket_id: basketId, item: z.string().min(1).max(MAX_ITEM_CHARS) }),
    },
    callback: withHandle(baskets, async (args: { item: string }, call) => {
      const { data } = await call.update((items) => [...items, args.item]);
      return toolText(
        `Added ${JSON.stringify(args.item)} to basket ${call.handle.id} (${data.length} items).`,
      );
    }),
  });
  registerHandleTool(server, {
    name: 'view_basket',
    config: {
      description: `Answers the items of a basket, in the order they were added. ${durability}`,
      inputSchema: z.object({ basket_id: basketId }),
    },
    callback: withHandle(baskets, (_args, call) => {
      const items = call.handle.data;
      if (items.length === 0) return toolText(`Basket ${call.handle.id} is empty.`);
      return toolText(items.map((item, i) => `${i + 1}. ${item}`).join('\n'));
    }),
  });
  registerHandleTools(server, baskets);
}
