import { describe, expect, it } from 'vitest';
import { Form } from '../../web/components/form.tsx';

const html = async (node: unknown) => String(await node);

describe('the panel form for htmx posts', () => {
  it('posts the same way with and without htmx and replaces its target', async () => {
    const out = await html(<Form action="/units/3" target="#units" class="inline-form"><button>保存</button></Form>);
    expect(out).toBe('<form class="inline-form" method="post" action="/units/3" hx-post="/units/3" hx-target="#units" hx-swap="outerHTML"><button>保存</button></form>');
  });

  it('uploads files as multipart, keeps its buttons from a second send, and can fill its target', async () => {
    const out = await html(<Form id="upload-form" action="/import/preview" target="#import-result" swap="innerHTML" multipart disableButtons novalidate />);
    expect(out).toBe(
      '<form id="upload-form" method="post" action="/import/preview" enctype="multipart/form-data" hx-post="/import/preview" hx-encoding="multipart/form-data" hx-target="#import-result" hx-swap="innerHTML" hx-disable="find button" novalidate=""></form>',
    );
  });

  it('escapes an action built from data', async () => {
    const out = await html(<Form action={'/jobs/q/a"b/retry'} target="#jobs" />);
    expect(out).toContain('action="/jobs/q/a&quot;b/retry"');
  });
});
