import click

@click.group()
def main():
    """luocdo"""

@main.command()
def hello():
    click.echo("hi")
