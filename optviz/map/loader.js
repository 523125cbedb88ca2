const MAP_URL = "__MAP_URL__";

export default async function load(args) {
  const { default: map } = await import(new URL(MAP_URL, document.baseURI).href);
  return map(args);
}
